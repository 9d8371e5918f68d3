/* Zoom and panning for the server-rendered time axis (timeline/templates/timeline/_axis.html).
   The page works without this file: the SVG already holds every mark at its place, and the
   "Zoom" links narrow the window on the server. This file only re-scales the same marks
   inside the server's window (zoom in down to days, drag or buttons to pan). */
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var WIDTH = 1000;
  var MIN_WIDTH = 24;
  var CAP_SHARE = 0.2;
  var MIN_SPAN_DAYS = 7;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Days from 0001-01-01 (Python's date.toordinal() - 1) to the Unix epoch.
  var EPOCH_ORDINAL = 719163;

  function dateOf(ordinal) {
    return new Date((ordinal - EPOCH_ORDINAL) * 86400000);
  }

  function ordinalOf(date) {
    return Math.round(date.getTime() / 86400000) + EPOCH_ORDINAL;
  }

  function setAll(element, attributes) {
    Object.keys(attributes).forEach(function (name) {
      element.setAttribute(name, String(Math.round(attributes[name] * 100) / 100));
    });
  }

  function enhance(section) {
    var svg = section.querySelector("svg.axis-svg");
    var nav = section.querySelector("nav.zoom");
    if (!svg || !nav) {
      return;
    }
    var home = [Number(section.dataset.startDay), Number(section.dataset.endDay)];
    var view = home.slice();
    var height = Number(svg.getAttribute("height"));

    function x(day) {
      return ((day - view[0]) / (view[1] - view[0])) * WIDTH;
    }

    // As timeline/axis.py does: a mark is cut at the view's edges (a hatched end there means
    // "approximate, uncertain or open"), and a short one is widened to a tap target.
    function place(mark, lower, upper) {
      var outside = x(upper) < 0 || x(lower) > WIDTH;
      var x0 = Math.max(x(lower), 0);
      var x1 = Math.min(x(upper), WIDTH);
      var width = Math.max(x1 - x0, MIN_WIDTH);
      if (width > x1 - x0) {
        x0 = Math.max(0, Math.min(WIDTH - width, (x0 + x1 - width) / 2));
      }
      mark.setAttribute("visibility", outside ? "hidden" : "visible");
      return [x0, width];
    }

    function drawMarks() {
      svg.querySelectorAll("a.mark").forEach(function (mark) {
        var at = place(mark, Number(mark.dataset.lower), Number(mark.dataset.upper));
        var cap = Math.max(at[1] * CAP_SHARE, 2);
        mark.querySelectorAll("rect.body, rect.hit, rect.clip").forEach(function (rect) {
          setAll(rect, { x: at[0], width: at[1] });
        });
        mark.querySelectorAll("circle").forEach(function (circle) {
          setAll(circle, { cx: at[0] + at[1] / 2 });
        });
        mark.querySelectorAll("rect.fuzzy.start").forEach(function (rect) {
          setAll(rect, { x: at[0], width: cap });
        });
        mark.querySelectorAll("rect.fuzzy.end").forEach(function (rect) {
          setAll(rect, { x: at[0] + at[1] - cap, width: cap });
        });
        mark.querySelectorAll("text.label").forEach(function (text) {
          setAll(text, { x: at[0] + (mark.querySelector("rect.fuzzy.start") ? cap : 0) + 5 });
        });
      });
      svg.querySelectorAll("a.bin").forEach(function (bin) {
        var at = place(bin, Number(bin.dataset.lower), Number(bin.dataset.upper));
        setAll(bin.querySelector("rect"), { x: at[0], width: at[1] });
      });
    }

    function tickDays() {
      var span = view[1] - view[0];
      var first = dateOf(view[0]);
      var days = [];
      var year = first.getUTCFullYear();
      var month = first.getUTCMonth();
      if (span > 365 * 25 || span > 365 * 2 + 1) {
        var step = span > 365 * 25 ? 10 : 1;
        for (year = Math.floor(year / step) * step; ; year += step) {
          var yearDay = ordinalOf(new Date(Date.UTC(year, 0, 1)));
          if (yearDay >= view[1]) break;
          if (yearDay >= view[0]) days.push([yearDay, step === 10 ? year + "s" : String(year)]);
        }
      } else if (span > 62) {
        for (;;) {
          var monthDay = ordinalOf(new Date(Date.UTC(year, month, 1)));
          if (monthDay >= view[1]) break;
          if (monthDay >= view[0]) days.push([monthDay, month === 0 || !days.length ? MONTHS[month] + " " + year : MONTHS[month]]);
          month += 1;
          if (month === 12) { month = 0; year += 1; }
        }
      } else {
        var every = Math.max(1, Math.floor(span / 10));
        for (var day = Math.ceil(view[0]); day < view[1]; day += every) {
          var date = dateOf(day);
          days.push([day, date.getUTCDate() + " " + MONTHS[date.getUTCMonth()]]);
        }
      }
      return days;
    }

    function drawTicks() {
      var group = svg.querySelector("g.ticks");
      group.querySelectorAll("g.tick").forEach(function (tick) { tick.remove(); });
      tickDays().forEach(function (tick) {
        var g = document.createElementNS(SVG_NS, "g");
        g.setAttribute("class", "tick");
        var line = document.createElementNS(SVG_NS, "line");
        var at = x(tick[0]);
        setAll(line, { x1: at, x2: at, y1: Number(group.querySelector(".baseline").getAttribute("y1")), y2: height });
        var text = document.createElementNS(SVG_NS, "text");
        setAll(text, { x: at, y: 14 });
        text.textContent = tick[1];
        g.appendChild(line);
        g.appendChild(text);
        group.appendChild(g);
      });
    }

    function draw() {
      drawMarks();
      drawTicks();
      status.textContent = "Showing " + label(view[0]) + " to " + label(view[1] - 1) + ".";
    }

    function label(day) {
      var date = dateOf(day);
      return date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
    }

    function zoom(factor, centre) {
      var span = view[1] - view[0];
      var middle = centre === undefined ? view[0] + span / 2 : centre;
      var next = Math.min(Math.max(span * factor, MIN_SPAN_DAYS), home[1] - home[0]);
      var share = (middle - view[0]) / span;
      view = [middle - next * share, middle + next * (1 - share)];
      pan(0);
    }

    function pan(days) {
      var span = view[1] - view[0];
      var start = Math.min(Math.max(view[0] + days, home[0]), home[1] - span);
      view = [start, start + span];
      draw();
    }

    function button(text, action) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = text;
      element.addEventListener("click", action);
      return element;
    }

    var controls = document.createElement("span");
    controls.className = "zoom-buttons";
    controls.appendChild(button("Zoom in", function () { zoom(0.5); }));
    controls.appendChild(button("Zoom out", function () { zoom(2); }));
    controls.appendChild(button("Earlier", function () { pan(-(view[1] - view[0]) / 3); }));
    controls.appendChild(button("Later", function () { pan((view[1] - view[0]) / 3); }));
    controls.appendChild(button("Show all", function () { view = home.slice(); draw(); }));
    var status = document.createElement("span");
    status.className = "zoom-status muted";
    status.setAttribute("role", "status");
    nav.insertBefore(controls, nav.querySelector(".zoom-label").nextSibling);
    nav.appendChild(status);
    var help = nav.querySelector(".zoom-help");
    if (help) {
      help.textContent += " Or use the buttons to zoom and move in time, or drag the axis.";
    }

    // Dragging pans; a drag does not follow the link under the pointer.
    var dragFrom = null;
    var dragged = false;
    svg.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse") {
        dragFrom = event.clientX;
        dragged = false;
      }
    });
    svg.addEventListener("pointermove", function (event) {
      if (dragFrom === null) return;
      var moved = event.clientX - dragFrom;
      if (Math.abs(moved) > 3) {
        dragged = true;
        var perPixel = (view[1] - view[0]) / svg.getBoundingClientRect().width;
        pan(-moved * perPixel);
        dragFrom = event.clientX;
      }
    });
    window.addEventListener("pointerup", function () { dragFrom = null; });
    svg.addEventListener("click", function (event) {
      if (dragged) {
        event.preventDefault();
        dragged = false;
      }
    }, true);
    draw();
  }

  document.querySelectorAll("section.axis").forEach(enhance);
})();
