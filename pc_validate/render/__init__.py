"""Renderers: the same results (JSON report entries) written for people or for programs."""

from __future__ import annotations

from pc_validate.render.catalogue import render_catalogue
from pc_validate.render.text import render_text

__all__ = ["render_catalogue", "render_text"]
