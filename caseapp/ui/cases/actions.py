"""Actions of the Cases feature: new case, add a subject or a note, close a case tab."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from caseapp.ui.cases.case_view import CaseView
from caseapp.ui.cases.page import CasesPage
from caseapp.ui.cases.subjects import SubjectsTab
from caseapp.ui.cases.timeline import TimelineTab
from caseapp.ui.context import AppContext


def new_case(ctx: AppContext, _parent: QWidget) -> None:
    """Window action: ask for a new case on the Cases page."""
    ctx.page(CasesPage).new_case()


def add_subject(_ctx: AppContext, _case_ref: str, view: QWidget) -> None:
    """Case action: the Add subject dialog of the case in front."""
    if isinstance(view, CaseView):
        view.show_tab_of(SubjectsTab).add_subject()


def add_note(_ctx: AppContext, _case_ref: str, view: QWidget) -> None:
    """Case action: the Add note dialog of the case in front."""
    if isinstance(view, CaseView):
        view.show_tab_of(TimelineTab).add_note()


def close_case_tab(ctx: AppContext, _case_ref: str, _view: QWidget) -> None:
    """Case action: close the case tab in front."""
    ctx.page(CasesPage).close_current()
