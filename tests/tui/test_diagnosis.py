"""`D` on a job or a job queue of the demo account: the diagnosis screen's findings, most severe
first, their evidence folded under them, and the key that makes the fix."""

from __future__ import annotations

import re

import account
import pytest
from conftest import SIZE, batch_client, settle
from screen_text import screen_text, toast_text
from textual.widgets import Input, Static

from batchtui.diagnose import Severity
from batchtui.tui.screens.diagnosis import DiagnosisProgress, DiagnosisScreen, progress_text
from batchtui.tui.screens.dialogs import ConfirmScreen, ScaleScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.widgets.finding_pane import FindingPane
from batchtui.tui.widgets.finding_tree import FindingTree
from batchtui.tui.widgets.job_table import JobTable

TOO_BIG = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"


async def select_queue(app, pilot, queue: str) -> OverviewScreen:
    await settle(app, pilot)
    overview = app.screen
    assert isinstance(overview, OverviewScreen)
    table = overview.query_one("#queues")
    table.move_cursor(row=table.get_row_index(queue))
    await pilot.pause()
    return overview


async def select_job(app, pilot, queue: str, name: str) -> JobsScreen:
    await select_queue(app, pilot, queue)
    await pilot.press("enter")
    await settle(app, pilot)
    jobs = app.screen
    assert isinstance(jobs, JobsScreen)
    table = jobs.query_one(JobTable)
    table.move_to(next(i for i, j in enumerate(table.rows) if j.job_name == name))
    await pilot.pause()
    return jobs


async def diagnose(app, pilot) -> DiagnosisScreen:
    await pilot.press("D")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, DiagnosisScreen)
    await settle(app, pilot)
    assert screen.diagnosis is not None
    return screen


async def test_d_on_the_stuck_job_puts_its_cause_first_with_the_evidence(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        jobs = await select_job(app, pilot, "demo-batch-low", "simulate-72-cores")
        screen = await diagnose(app, pilot)
        first = screen.diagnosis.findings[0]
        assert first.code == TOO_BIG and first.severity is Severity.BLOCKING
        tree = screen.query_one(FindingTree)
        node = tree.root.children[0]
        assert node.data is first and node.is_expanded  # the most severe one is unfolded
        text = screen_text(app)
        assert "BLOCKING" in text and first.title[:40] in text and TOO_BIG in text
        assert first.evidence and all(e.value[:40] in text for e in first.evidence)
        assert "fix: " in text
        whole = str(screen.query_one("#finding-text", Static).content)
        assert first.title in whole and first.fix in whole  # a tree line cuts them, not this
        assert "diagnosing…" not in text and "1 job examined (1 RUNNABLE): BLOCKED" in text
        await pilot.press("enter")  # folds it: its evidence is no longer listed (the pane has it)
        assert not node.is_expanded
        assert first.evidence[0].value[:40] not in list_text(app)
        assert first.evidence[0].value in pane_text(screen)
        await pilot.press("space")
        assert node.is_expanded
        await pilot.press("q")
        assert app.screen is jobs


async def test_d_in_the_job_detail_diagnoses_that_job(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-batch-low", "simulate-72-cores")
        await pilot.press("d")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, JobDetailScreen)
        screen = await diagnose(app, pilot)
        assert screen.diagnosis.findings[0].code == TOO_BIG
        await pilot.press("escape")
        assert app.screen is detail


async def test_d_on_a_queue_shows_its_head_blocks_the_rest(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        overview = await select_queue(app, pilot, "demo-batch-low")
        screen = await diagnose(app, pilot)
        codes = [f.code for f in screen.diagnosis.findings]
        assert "HEAD_OF_QUEUE_BLOCKED" in codes, codes
        assert screen.diagnosis.jobs_examined > 1
        assert "job queue demo-batch-low" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is overview


async def test_d_on_the_ce_table_asks_for_a_queue(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "D")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert "select a job queue first" in toast_text(app)


async def test_a_disabled_compute_environment_is_named_with_the_key_that_enables_it(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-gpu", "train-model")
        screen = await diagnose(app, pilot)
        first = screen.diagnosis.findings[0]
        assert "demo-gpu" in first.title and "DISABLED" in first.title, first
        text = screen_text(app)
        assert "demo-gpu" in text and "DISABLED" in text
        assert "action: press e to enable compute environment demo-gpu (asks first)" in text


async def test_read_only_diagnoses_but_names_no_key_that_changes_the_account(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-gpu", "train-model")
        screen = await diagnose(app, pilot)
        assert "DISABLED" in screen.diagnosis.findings[0].title
        assert "action: press" not in screen_text(app)


def list_text(app) -> str:
    """The findings list as shown: the lines between the summary and the pane's top border."""
    lines = screen_text(app).splitlines()
    border = next(i for i, line in enumerate(lines) if line.startswith("────"))
    return "\n".join(lines[3:border])


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_d_is_in_the_footer_of_the_screens_it_works_on(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_queue(app, pilot, "demo-batch-low")
        assert "D Diagnose" in footer(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "D Diagnose" in footer(app)


async def test_ctrl_d_on_the_diagnosis_cancels_the_blocked_head_after_asking(
    make_app, demo
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_queue(app, pilot, "demo-batch-low")
        screen = await diagnose(app, pilot)
        cause, head = screen.diagnosis.findings[:2]
        assert (cause.code, head.code) == (TOO_BIG, "HEAD_OF_QUEUE_BLOCKED")  # the cause first
        assert account.job(demo, head.target)["jobName"] == "simulate-72-cores"
        assert "^d Cancel head" in footer(app) and "s Scale CE" in footer(app)
        tree = screen.query_one(FindingTree)
        tree.move_cursor(tree.root.children[1])
        await pilot.press("enter")
        assert "action: press ^d to cancel job " + head.target in screen_text(app)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        question = screen_text(app)
        assert "Cancel job simulate-72-cores" in question and "It is RUNNABLE" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "CancelJob") == 0
        await pilot.press("ctrl+d", "y")
        await settle(app, pilot)
        assert app.aws.counter.get("batch", "CancelJob") == 1
        demo.advance(30)
        assert account.job(demo, head.target)["status"] == "FAILED"
        await pilot.press("r")
        await settle(app, pilot)
        codes = [f.code for f in app.screen.diagnosis.findings]
        assert "HEAD_OF_QUEUE_BLOCKED" not in codes, codes


async def test_s_on_the_diagnosis_scales_the_compute_environment_it_names(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-batch-low", "simulate-72-cores")
        screen = await diagnose(app, pilot)
        assert screen.diagnosis.findings[0].target == "demo-ondemand"
        assert "action: press s to scale compute environment demo-ondemand" in screen_text(app)
        assert "e Enable" not in footer(app)  # no finding here has that fix
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen)
        assert "demo-ondemand" in screen_text(app)
        # It opens with the maxvCpus the fix names (the vCPUs the CE holds + m5.24xlarge's
        # 96), the rest as they are.
        ce = app.screen.ce
        fields = {i.id: i.value for i in app.screen.query(Input)}
        assert ce.desired_vcpus > 0
        assert fields == {"min": str(ce.min_vcpus), "desired": str(ce.desired_vcpus),
                          "max": str(ce.desired_vcpus + 96)}, fields  # fmt: skip
        assert ce.max_vcpus == 64


async def test_e_on_the_diagnosis_enables_the_disabled_compute_environment(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-gpu", "train-model")
        await diagnose(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Enable compute environment demo-gpu?" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert account.compute_environment(demo, "demo-gpu")["state"] == "ENABLED"
        assert isinstance(app.screen, DiagnosisScreen)  # diagnosed again
        assert "DISABLED" not in app.screen.diagnosis.findings[0].title


async def test_read_only_offers_no_key_that_acts(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await select_queue(app, pilot, "demo-batch-low")
        await diagnose(app, pilot)
        shown = footer(app)
        assert "Cancel head" not in shown and "Scale CE" not in shown and "Enable" not in shown
        await pilot.press("ctrl+d", "s", "e")
        assert isinstance(app.screen, DiagnosisScreen)


async def test_a_queue_diagnosis_shows_how_far_it_has_read(make_app) -> None:
    seen: list[tuple[int, int]] = []

    def hook(message) -> None:
        if isinstance(message, DiagnosisProgress):
            seen.append((message.done, message.total))

    app = make_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await select_queue(app, pilot, "demo-batch-low")
        screen = await diagnose(app, pilot)
        total = screen.diagnosis.jobs_examined
        # Each report replaces the one before it while that one waits to be shown (a busy
        # screen shows the latest): the last is always there. Every report the worker makes is
        # checked where it is made (tests/integration/test_diagnose_progress.py).
        assert seen and seen[-1] == (total, total)
        assert all(done in (0, total) and n <= total for done, n in seen), seen
        screen.is_diagnosing = True  # as while the worker reads: the next report is shown
        screen.post_message(DiagnosisProgress(3000, 10000))
        await pilot.pause()
        summary = str(screen.query_one("#diagnosis-summary", Static).content)
        assert summary == "reading 3,000 of 10,000 jobs…"


def test_progress_words() -> None:
    assert progress_text(0, 2000) == "listing the queue's stuck jobs: 2,000 so far…"
    assert progress_text(3000, 10000) == "reading 3,000 of 10,000 jobs…"
    assert progress_text(10000, 10000).startswith("read 10,000 jobs; reading the queue's")


def pane_text(screen: DiagnosisScreen) -> str:
    return str(screen.query_one("#finding-text", Static).content)


async def test_the_whole_finding_pane_follows_a_new_diagnosis(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-batch-low", "simulate-72-cores")
        screen = await diagnose(app, pilot)
        assert "press s to scale" in pane_text(screen)
        named = screen.diagnosis.findings[0].max_vcpus
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen)
        await pilot.click("#apply")  # the maxvCpus the fix names
        await settle(app, pilot)
        assert app.screen is screen
        ce = account.compute_environment(demo, "demo-ondemand")
        assert named is not None and ce["computeResources"]["maxvCpus"] == named
        first = screen.diagnosis.findings[0]
        assert first.code != TOO_BIG and first.severity is not Severity.BLOCKING, first
        # The list and the pane under it say the same: the fix it made is no longer offered.
        assert first.title in pane_text(screen) and "press s to scale" not in pane_text(screen)
        assert screen.query_one(FindingTree).cursor_node.data is first


async def test_r_shows_the_new_first_finding_in_the_whole_finding_pane(make_app, demo) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await select_job(app, pilot, "demo-batch-low", "simulate-72-cores")
        screen = await diagnose(app, pilot)
        assert TOO_BIG in pane_text(screen)
        named = screen.diagnosis.findings[0].max_vcpus
        batch_client(demo).update_compute_environment(  # another operator makes the fix
            computeEnvironment="demo-ondemand", computeResources={"maxvCpus": named}
        )
        await pilot.press("r")
        await settle(app, pilot)
        first = screen.diagnosis.findings[0]
        assert first.code != TOO_BIG, first
        assert first.title in pane_text(screen) and TOO_BIG not in pane_text(screen)


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_a_job_behind_a_blocked_head_offers_the_heads_fix_beside_cancelling_it(
    make_app, size
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await select_queue(app, pilot, "demo-batch-low")
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.screen.query_one(JobTable)
        behind = next(
            i
            for i, j in enumerate(table.rows)
            if j.status == "RUNNABLE" and j.job_name != "simulate-72-cores"
        )
        table.move_to(behind)
        await pilot.pause()
        screen = await diagnose(app, pilot)
        (finding,) = screen.diagnosis.findings
        assert finding.code == "HEAD_OF_QUEUE_BLOCKED"
        named = finding.max_vcpus  # what the head holds now + its 96-vCPU instance
        assert named is not None and named > 96
        assert f"raise maxvCpus of demo-ondemand to at least {named}" in finding.fix
        assert "s Scale CE" in footer(app) and "^d Cancel head" in footer(app)
        scale = "action: press s to scale compute environment demo-ondemand (asks first)"
        cancel = f"action: press ^d to cancel job {finding.target} (asks first)"
        assert scale in pane_text(screen) and cancel in pane_text(screen)
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen) and app.screen.ce.name == "demo-ondemand"
        assert app.screen.query_one("#max", Input).value == str(named)  # the fix's number
        await pilot.press("escape")
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Cancel job simulate-72-cores" in screen_text(app)
        await pilot.press("n")


def tree_labels(tree: FindingTree) -> str:
    """Every line of the tree, whole (as the tree holds it, before the screen's edge)."""
    nodes = [*tree.root.children, *(leaf for node in tree.root.children for leaf in node.children)]
    return "\n".join(node.label.plain for node in nodes)


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_no_number_is_cut_and_the_pane_shows_the_finding_whole(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await select_job(app, pilot, "demo-genomics", "assemble-genome")
        screen = await diagnose(app, pilot)
        first = screen.diagnosis.findings[0]
        assert "it needs 900000 MiB" in first.title
        listed = list_text(app)
        assert "900000" in listed or "it needs …" in listed
        whole_lines = tree_labels(screen.query_one(FindingTree))
        for number in re.findall(r"\d+", listed):  # each shown number is a whole one
            assert re.search(rf"(?<!\d){number}(?!\d)", whole_lines), (number, listed)
        shown = pane_text(screen)
        assert first.title in shown and first.fix in shown
        for e in first.evidence:
            assert e.value in shown and f"read from {e.call} {e.field}" in shown
        # Right goes into the pane, which scrolls to its end where it is taller than its room;
        # left comes back to the list.
        await pilot.press("right")
        pane = screen.query_one(FindingPane)
        assert app.focused is pane
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y
        assert first.fix.split()[-1] in screen_text(app)
        await pilot.press("left")
        assert app.focused is screen.query_one(FindingTree)
