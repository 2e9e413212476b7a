"""Static files that survive a rolling deploy (WhiteNoise, with one addition).

During a rolling deploy servers of two releases run side by side behind the balancer, and
the release step (`collectstatic` into the STATIC_ROOT every server of a machine shares,
never with --clear) has added the new release's hashed files beside the old ones. A page
rendered by an old server names old files, which are still there; a page rendered by a new
server names new files, which an old server's WhiteNoise did not index at its start. So a
request under the static prefix that WhiteNoise does not know is looked for once more in
STATIC_ROOT (with WhiteNoise's own checks: a canonical path inside that folder, no
compressed variant asked for directly) and, when found, added to its index and served.
`manage.py prune_static` removes the files of releases before the previous one.
"""

import os

from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import MissingFileError


class ReleaseStaticMiddleware(WhiteNoiseMiddleware):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        root = self.static_root
        self.release_root = os.path.abspath(root).rstrip(os.path.sep) + os.path.sep if root else ""

    def __call__(self, request):
        path = request.path_info
        if (
            self.release_root
            and not self.autorefresh
            and path.startswith(self.static_prefix)
            and path not in self.files
        ):
            found = self._collected_since_start(path)
            if found is not None:
                self.files[path] = found
        return super().__call__(request)

    def _collected_since_start(self, url):
        if not self.url_is_canonical(url):
            return None
        candidate = os.path.join(self.release_root, url[len(self.static_prefix) :])
        if not self.path_is_child_of(candidate, self.release_root) or not os.path.isfile(candidate):
            return None
        try:
            return self.find_file_at_path(candidate, url)
        except MissingFileError:
            return None
