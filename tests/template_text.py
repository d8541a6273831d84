"""The TOML of a small red-flag template, for tests that need one of their own."""

from __future__ import annotations


def template_toml(template_id: str, *, version: int = 1, title: str = "Test template",
                  items: tuple[tuple[str, str, int], ...] = (("c.one", "One", 2),),
                  scoring: str = "", bands: tuple[int, int, int] = (20, 40, 60),
                  category: tuple[str, str] = ("c", "C")) -> str:
    """``items``: (id, label, weight) in one ``category`` (id, title); ``scoring``: a
    ``[scoring]`` table's text, or "" for the defaults."""
    elevated, high, critical = bands
    body = [f'id = "{template_id}"', f"version = {version}", f'title = "{title}"']
    if scoring:
        body.append(scoring.strip())
    body += ["[bands]", f"elevated = {elevated}", f"high = {high}", f"critical = {critical}",
             "[[sources]]", 'id = "S1"', 'title = "Internal"', 'publisher = "Us"',
             "[[categories]]", f'id = "{category[0]}"', f'title = "{category[1]}"']
    for item_id, label, weight in items:
        body += ["  [[categories.items]]", f'  id = "{item_id}"', f'  label = "{label}"',
                 f"  weight = {weight}", '  sources = ["S1"]']
    return "\n".join(body) + "\n"
