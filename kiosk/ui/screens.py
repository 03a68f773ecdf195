"""The screens of the kiosk, named once: navigation goes through this enum, never through strings."""

from __future__ import annotations

from enum import Enum


class Screen(Enum):
    ATTRACT = "attract"
    SERVICES = "services"
    CONSENT = "consent"
    REGISTER = "register"
    REVIEW = "review"
    WELCOME = "welcome"
    ALREADY_REGISTERED = "already_registered"
    QUIZ = "quiz"
    CONSOLE = "console"
    CONSOLE_SETUP = "console_setup"
    CONSOLE_PIN = "console_pin"
    CONSOLE_PIN_CHANGE = "console_pin_change"
    CONSOLE_ENROL = "console_enrol"
    STATION = "station"
    DASHBOARD = "dashboard"
    MEMBERS = "members"
    EMPLOYERS = "employers"
    EMPLOYER_MEETING = "employer_meeting"
