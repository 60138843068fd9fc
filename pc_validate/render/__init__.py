"""Renderers: the same results (JSON report entries) written for people or for programs."""

from __future__ import annotations

from pc_validate.render.catalogue import render_catalogue

__all__ = ["render_catalogue"]
