"""The screens. Each imports only the widgets, dialogs and shared actions it uses; none
imports another full screen or the app (they open each other through
:class:`batchtui.tui.navigation.Navigation`)."""

from __future__ import annotations

from batchtui.tui.screens.apply_changes import ApplyScreen
from batchtui.tui.screens.base import BaseScreen
from batchtui.tui.screens.ce_detail import ComputeEnvironmentScreen
from batchtui.tui.screens.diagnosis import DiagnosisScreen
from batchtui.tui.screens.dialogs import (
    CommandLineScreen,
    ConfirmScreen,
    ErrorScreen,
    PromptScreen,
    ScaleScreen,
)
from batchtui.tui.screens.help import HelpScreen
from batchtui.tui.screens.job_detail import JobDetailScreen
from batchtui.tui.screens.jobs import JobsScreen
from batchtui.tui.screens.logs import LogsScreen
from batchtui.tui.screens.overview import OverviewScreen
from batchtui.tui.screens.plan import PlanScreen, ProfileList
from batchtui.tui.screens.submissions import SubmissionsScreen
from batchtui.tui.widgets.finding_pane import FindingPane
from batchtui.tui.widgets.finding_tree import FindingTree
from batchtui.tui.widgets.job_table import JobTable
from batchtui.tui.widgets.log_view import LogView
from batchtui.tui.widgets.reading_pane import ReadingPane
from batchtui.tui.widgets.related_jobs import RelatedJobs
from batchtui.tui.widgets.resource_table import ResourceTable

#: Every class whose BINDINGS the keymap may remap (config validation reads their ids).
BINDING_OWNERS: tuple[type, ...] = (
    BaseScreen,
    OverviewScreen,
    ComputeEnvironmentScreen,
    JobsScreen,
    JobDetailScreen,
    JobTable,
    ResourceTable,
    ReadingPane,
    RelatedJobs,
    LogsScreen,
    LogView,
    PlanScreen,
    ProfileList,
    DiagnosisScreen,
    FindingTree,
    FindingPane,
    HelpScreen,
    ConfirmScreen,
    ScaleScreen,
    ErrorScreen,
    CommandLineScreen,
    PromptScreen,
    ApplyScreen,
    SubmissionsScreen,
)
