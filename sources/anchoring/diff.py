"""Carrying offsets from an old text into a new one, through a diff of the two."""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz.distance import Indel


@dataclass(frozen=True)
class Block:
    """A stretch of the diff: old[old_start:old_end] became new[new_start:new_end]."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    equal: bool


class TextDiff:
    """How an old text became a new one; `carry` maps a span of the old text into the new."""

    def __init__(self, old_text, new_text):
        self.old_text = old_text
        self.new_text = new_text

    @cached_property
    def blocks(self):
        """The diff as blocks, each covering some old text, in order.

        Lines are compared first and code points only inside the groups of lines that
        differ: most of a text is untouched by an edit, and comparing its lines is far
        cheaper than aligning it character by character. Both alignments are rapidfuzz's
        Indel (longest common subsequence). Adjacent deletions and insertions merge into
        one replacement. A pure insertion covers no old text, so it is left out: it lies
        between two blocks and belongs to neither, so text inserted at a passage's edge
        stays outside the passage.
        """
        # Each text gets a final line break so that every line ends with one.
        old, new = self.old_text + "\n", self.new_text + "\n"
        old_lines, new_lines = old.split("\n")[:-1], new.split("\n")[:-1]
        old_at, new_at = _line_starts(old_lines), _line_starts(new_lines)
        blocks = []
        line_changes = _bridged(_merged(Indel.opcodes(old_lines, new_lines)), old_lines)
        for equal, i1, i2, j1, j2 in line_changes:
            old_start, old_end, new_start, new_end = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
            if equal or old_start == old_end or new_start == new_end:
                blocks.append(Block(old_start, old_end, new_start, new_end, equal))
                continue
            changed = Indel.opcodes(old[old_start:old_end], new[new_start:new_end])
            blocks.extend(
                Block(old_start + k1, old_start + k2, new_start + l1, new_start + l2, same)
                for same, k1, k2, l1, l2 in _merged(changed)
            )
        return [block for block in blocks if block.old_end > block.old_start]

    @cached_property
    def _block_starts(self):
        return [block.old_start for block in self.blocks]

    @cached_property
    def _block_ends(self):
        return [block.old_end for block in self.blocks]

    def carry(self, start, end):
        """The new span that old[start:end] became."""
        limit = len(self.new_text)
        start = min(self._carry_start(start), limit)
        return start, max(start, min(self._carry_end(end), limit))

    def _carry_start(self, position):
        if position >= len(self.old_text):
            return len(self.new_text)
        block = self.blocks[bisect_right(self._block_starts, position) - 1]
        if block.equal:
            return block.new_start + position - block.old_start
        # Inside a replacement the offsets cannot correspond; the proportion is a fair guess
        # for a proposal that an editor confirms anyway.
        return block.new_start + min(position - block.old_start, block.new_end - block.new_start)

    def _carry_end(self, position):
        if position <= 0:
            return 0
        block = self.blocks[bisect_left(self._block_ends, position)]
        if block.equal:
            return block.new_start + position - block.old_start
        if position == block.old_end:
            return block.new_end
        return block.new_start + min(position - block.old_start, block.new_end - block.new_start)


def _line_starts(lines):
    """Where each line starts, and one more: where a line after the last would."""
    starts, position = [0], 0
    for line in lines:
        position += len(line) + 1
        starts.append(position)
    return starts


def _merged(opcodes):
    """(equal, old start, old end, new start, new end) per opcode, runs of changes merged."""
    pending = None
    for opcode in opcodes:
        if opcode.tag == "equal":
            if pending is not None:
                yield pending
                pending = None
            yield True, opcode.src_start, opcode.src_end, opcode.dest_start, opcode.dest_end
        elif pending is None:
            pending = (False, opcode.src_start, opcode.src_end, opcode.dest_start, opcode.dest_end)
        else:
            pending = (False, pending[1], opcode.src_end, pending[3], opcode.dest_end)
    if pending is not None:
        yield pending


def _bridged(groups, old_lines):
    """`groups` of lines with changes separated only by blank lines joined into one change.

    Blank lines are all alike, so the line diff happily aligns the break after a new
    paragraph with the break after a corrected one and reports the corrected paragraph as
    deleted, beside the new one inserted. Joined, the two are aligned code point by code
    point, where the corrected paragraph finds its old self.
    """
    joined = []
    for group in groups:
        if (
            not group[0]
            and len(joined) >= 2
            and joined[-1][0]
            and not joined[-2][0]
            and not any(line.strip() for line in old_lines[joined[-1][1] : joined[-1][2]])
        ):
            joined.pop()
            before = joined.pop()
            group = (False, before[1], group[2], before[3], group[4])
        joined.append(group)
    return joined
