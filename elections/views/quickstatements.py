"""/export/quickstatements.txt: public facts as QuickStatements, for Wikidata's editors
(`elections.quickstatements`). Read from the database at each request it does not find in
the public cache; in English, and plain text."""

from elections.quickstatements import quickstatements_lines
from elections.views.api import read_only
from elections.views.exports import CHUNK_CHARS, _in_chunks, in_english, live_response

CONTENT_TYPE = "text/plain; charset=utf-8"


@read_only
def quickstatements_txt(request):
    lines = quickstatements_lines(request.build_absolute_uri)
    return live_response(in_english(_in_chunks(lines, CHUNK_CHARS)), CONTENT_TYPE)
