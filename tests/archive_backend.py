"""The archive backend the tests configure: the Save Page Now backend, polling briskly, pointed
(through SPN_BASE_URL) at a real local server imitating the archive's answers."""

from timeline.archiving import SavePageNowBackend


class LocalSavePageNowBackend(SavePageNowBackend):
    poll_interval = 0.1
