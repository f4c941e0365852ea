"""A diagnosis's findings as a tree: one line per cause, its evidence and fix folded under it.

Each finding's line says its severity, its title and how many jobs it holds back; enter or
space unfolds the code, the evidence (with the API call and field it was read from), the fix,
and, where batchtui can make the fix, the keys that do it on the diagnosis screen. A line too
long for the tree ends at a word with " …" (never inside a number); the pane under the tree
shows the finding whole. Tree's own keys have no binding ids, so they are declared again here
(``findings.*``) and the keymap can move them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from batchtui.diagnose import Action, Diagnosis, Finding, Severity
from batchtui.render.diagnosis import JOBS_SHOWN
from batchtui.tui.cells import fit_words
from batchtui.tui.reasons import Keys
from batchtui.wording import count

BADGE_STYLES = {
    Severity.BLOCKING: "bold white on red",
    Severity.WARNING: "bold black on yellow",
    Severity.INFO: "bold white on blue",
}


def badge(severity: Severity) -> Text:
    return Text(f" {severity.value.upper()} ", style=BADGE_STYLES[severity])


def finding_line(f: Finding) -> Text:
    """The line of a finding: severity badge, the jobs it affects, title."""
    # The count before the title: a long title is cut at the screen's edge, the count is not.
    jobs = count(len(f.job_ids), "job") if f.job_ids else "no job"
    return Text.assemble(badge(f.severity), " ", (f"{jobs:>8}", "cyan"), "  ", (f.title, "bold"))


@dataclass(frozen=True)
class Fix:
    """A fix batchtui makes for a finding: the action, the resource it acts on, and the code of
    the finding whose fix it is (the finding's own, or its cause's)."""

    action: Action
    target: str
    code: str


def fixes(f: Finding) -> list[Fix]:
    """The fixes batchtui makes for ``f``, in the order its fix text names them: a blocked
    head's own cause first (scale the CE it names), then cancelling the head."""
    out = []
    if f.cause_action is not None and f.cause_target and f.cause_action is not f.action:
        out.append(Fix(f.cause_action, f.cause_target, f.cause[0] if f.cause else f.code))
    if f.action is not None:
        out.append(Fix(f.action, f.target, f.code))
    return out


def _enabled_kind(fix: Fix) -> str:
    return "job queue" if fix.code == "JOB_QUEUE_DISABLED" else "compute environment"


def action_lines(f: Finding, keys: Keys) -> list[Text]:
    """The keys that make the fixes on the diagnosis screen (the user's keymap); none where
    batchtui makes no fix, or where it is not offered (read-only mode)."""
    out = []
    for fix in fixes(f):
        key = {Action.SCALE: keys.scale, Action.ENABLE: keys.enable, Action.CANCEL: keys.stop}[
            fix.action
        ]
        if not key:
            continue
        what = {
            Action.SCALE: f"scale compute environment {fix.target}",
            Action.ENABLE: f"enable {_enabled_kind(fix)} {fix.target}",
            Action.CANCEL: f"cancel job {fix.target}",
        }[fix.action]
        out.append(
            Text.assemble("action: press ", (key, "bold reverse"), f" to {what} (asks first)")
        )
    return out


def jobs_line(f: Finding, diagnosis: Diagnosis) -> Text | None:
    """The jobs a finding holds back, where the diagnosis examined more than one."""
    if not f.job_ids or diagnosis.jobs_examined <= 1:
        return None
    shown = ", ".join(f.job_ids[:JOBS_SHOWN])
    more = len(f.job_ids) - JOBS_SHOWN
    return Text.assemble(("jobs: ", "dim"), shown, f" and {more} more" if more > 0 else "")


class FindingTree(Tree[Finding], inherit_bindings=False):
    BINDINGS = [
        Binding("enter,space", "toggle_node", "Fold/unfold", id="findings.toggle"),
        Binding("up,k", "cursor_up", "Up", show=False, id="findings.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="findings.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="findings.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="findings.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="findings.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="findings.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("findings", id=id)
        self.show_root = False
        self.auto_expand = False

    def render_label(self, node: TreeNode[Finding], base_style: Style, style: Style) -> Text:
        # Tree crops a line at its edge, inside a number as soon as inside a word ("it needs
        # 9000" of 900000 MiB): the line ends at a word instead; the pane shows the finding whole.
        label = super().render_label(node, base_style, style)
        depth = 0
        while node.parent is not None and node.parent is not self.root:
            node, depth = node.parent, depth + 1
        return fit_words(label, self.scrollable_content_region.width - depth * self.guide_depth)

    def show(self, diagnosis: Diagnosis, keys: Keys) -> None:
        """Replace the tree with ``diagnosis``'s findings, the most severe one unfolded and
        under the cursor. When the cursor was on the first line already, Tree posts no
        NodeHighlighted: the caller shows the new cursor node itself."""
        self.clear()
        if not diagnosis.findings:
            self.root.add_leaf(
                Text("nothing stuck: no PENDING, RUNNABLE or long-STARTING job", style="green")
            )
        for i, f in enumerate(diagnosis.findings):
            node = self.root.add(finding_line(f), data=f, expand=i == 0)
            node.add_leaf(Text.assemble(("code: ", "dim"), f.code))
            for e in f.evidence:
                node.add_leaf(
                    Text.assemble(
                        ("evidence: ", "dim"), e.value, (f"  <- {e.call} {e.field}", "dim")
                    )
                )
            node.add_leaf(Text.assemble(("fix: ", "bold green"), f.fix))
            jobs = jobs_line(f, diagnosis)
            if jobs is not None:
                node.add_leaf(jobs)
            for action in action_lines(f, keys):
                node.add_leaf(action)
        self.move_cursor(self.root.children[0] if self.root.children else None)
