"""The app follows a colleague's changes on a team store (real test cluster): the case list
shows their new case, the open case view their edit, and a server restart is said plainly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caseapp.services.cases import cases
from caseapp.services.workspace import Workspace, open_workspace
from caseapp.ui.main_window import MainWindow
from caseapp.ui.startup import StartupController
from caseapp.ui.team import refresh

_BOUND_MS = 60_000


@pytest.fixture
def colleague(pg_url: str, tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "colleague", store_url=pg_url)
    yield ws
    ws.close()


@pytest.fixture
def app_on_team(qtbot: Any, home: Path, pg_url: str,
                colleague: Workspace) -> Iterator[tuple[MainWindow, StartupController]]:
    """The app opened on the team store through the start-up path (home made first)."""
    open_workspace(home, store_url=pg_url).close()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    controller = StartupController(win, home, store_url=pg_url)
    controller.start()
    qtbot.waitUntil(lambda: controller.ctx is not None, timeout=_BOUND_MS)
    yield win, controller
    win.close()  # stops the watcher, then closes the workspace
    controller.runner.wait_all(30_000)
    from caseapp.ui.errors import close_log

    close_log()


def _shown(win: MainWindow, ref: str) -> bool:
    page = win.cases_page()
    return page is not None and page.list.model.row_of(ref) >= 0


def test_the_case_list_shows_a_colleagues_new_case(
        qtbot: Any, app_on_team: tuple[MainWindow, StartupController],
        colleague: Workspace) -> None:
    win, controller = app_on_team
    assert controller.watcher is not None and controller.watcher.running
    ref = cases.create_case(colleague, "Opened by a colleague").ref
    assert not _shown(win, ref)  # nothing in the app reloaded it by itself yet
    qtbot.waitUntil(lambda: _shown(win, ref), timeout=_BOUND_MS)
    view = win.open_case(ref)
    cases.update_case(colleague, ref, title="Retitled by the colleague")
    qtbot.waitUntil(lambda: view.header.title_edit.text() == "Retitled by the colleague",
                    timeout=_BOUND_MS)


def test_a_local_store_starts_no_watcher(qtbot: Any, home: Path) -> None:
    open_workspace(home, store_url="").close()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()  # the local store shows its preview first, then opens fully once it paints
    controller = StartupController(win, home, store_url="")
    controller.start()
    qtbot.waitUntil(lambda: controller.ctx is not None, timeout=_BOUND_MS)
    assert controller.watcher is None
    win.close()
    controller.runner.wait_all(30_000)


def test_a_server_restart_is_said_and_the_app_follows_again(
        qtbot: Any, pg_cluster: Any, app_on_team: tuple[MainWindow, StartupController],
        colleague: Workspace) -> None:
    win, controller = app_on_team
    messages: list[tuple[str, bool]] = []
    assert controller.ctx is not None
    controller.ctx.message.connect(lambda text, error: messages.append((text, error)))
    pg_cluster.restart()
    qtbot.waitUntil(lambda: (refresh.LOST, True) in messages, timeout=_BOUND_MS)
    qtbot.waitUntil(lambda: (refresh.BACK, False) in messages, timeout=_BOUND_MS)
    ref = cases.create_case(colleague, "After the restart").ref
    qtbot.waitUntil(lambda: _shown(win, ref), timeout=_BOUND_MS)
    assert all("SELECT" not in text and "LISTEN" not in text for text, _ in messages)
