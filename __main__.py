"""Pulumi entry point. The program lives in platform/program.py (import name `social_platform`)."""

from social_platform.program import run

run()
