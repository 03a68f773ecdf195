"""The joining flow (入会): consent → form → duplicate check → review and oath → registration → welcome.

``install_registration`` adds the screens to the main window and wires them; the flow holds the
form between the submit tap and the oath only, and forgets it whenever the window wipes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.errors import AlreadyRegistered, BoothError
from kiosk.membership import MemberSummary, Membership, RegistrationForm
from kiosk.ui.already_registered_screen import AlreadyRegisteredScreen
from kiosk.ui.consent_screen import ConsentScreen
from kiosk.ui.presentation import Presentation
from kiosk.ui.register_screen import RegisterScreen
from kiosk.ui.review_screen import ReviewScreen
from kiosk.ui.screens import Screen
from kiosk.ui.welcome_screen import WelcomeScreen


class RegistrationFlow(QObject):
    """Routes between the joining screens and calls the booth service; no widget of its own."""

    registered = Signal(object)  # MemberSummary

    def __init__(self, window, members: Membership, presentation: Presentation):  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._members = members
        self._presentation = presentation
        self._form: RegistrationForm | None = None
        self._notice_version = ""
        config = members.config
        self.consent = ConsentScreen(config, presentation)
        self.register = RegisterScreen(members, presentation)
        self.review = ReviewScreen(config, presentation)
        self.welcome = WelcomeScreen(config, presentation)
        self.already = AlreadyRegisteredScreen(presentation)
        for screen, widget in ((Screen.CONSENT, self.consent), (Screen.REGISTER, self.register),
                               (Screen.REVIEW, self.review), (Screen.WELCOME, self.welcome),
                               (Screen.ALREADY_REGISTERED, self.already)):
            window.add_screen(screen, widget)
        self._connect(window)

    @property
    def _window(self):  # type: ignore[no-untyped-def]
        # The window is the parent: holding it in an attribute would keep its Python wrapper alive after deletion.
        return self.parent()

    def _connect(self, window) -> None:  # type: ignore[no-untyped-def]
        # Bound methods only, no lambdas holding the window: its wrapper must go when the window is deleted.
        window.attract.join_requested.connect(self._show_consent)
        window.wiped.connect(self._forget)
        self.consent.accepted.connect(self._consented)
        self.consent.declined.connect(self._go_home)
        self.register.cancelled.connect(self._go_home)
        self.register.back_requested.connect(self._show_consent)
        self.register.submitted.connect(self._submitted)
        self.review.back_requested.connect(self._show_form)
        self.review.edit_requested.connect(self._edit)
        self.review.confirmed.connect(self._confirmed)
        self.welcome.done.connect(self._go_home)
        self.already.done.connect(self._go_home)
        self.already.edit_requested.connect(self._edit)

    def _show_consent(self) -> None:
        self._window.show_screen(Screen.CONSENT)

    def _show_form(self) -> None:
        self._window.show_screen(Screen.REGISTER)

    def _edit(self, field: str) -> None:
        self.register.edit(field)
        self._window.show_screen(Screen.REGISTER)

    def _go_home(self) -> None:
        self._window.go_home()

    def _consented(self, notice_version: str) -> None:
        self._notice_version = notice_version
        self._window.show_screen(Screen.REGISTER)

    def _submitted(self, form: RegistrationForm) -> None:
        form.consent_given = bool(self._notice_version)
        if self._show_if_known(form):
            return
        self._form = form
        self.review.show_form(self.register.review_entries)
        self._window.show_screen(Screen.REVIEW)

    def _confirmed(self) -> None:
        """One tap: the entries are right and, when the oath is on, the oath is taken."""
        if self._form is not None:
            self._form.oath_taken = self.review.oath_enabled
            self._complete()

    def _complete(self) -> None:
        form, self._form = self._form, None
        try:
            member = self._members.register(form)
        except AlreadyRegistered as exc:
            self._show_already(exc.member, offer_pass=exc.offer_pass, matched=exc.matched)
            return
        except BoothError as exc:
            self._window.show_screen(Screen.REGISTER)
            self.register.show_refusal(self._presentation.pick(exc.zh, exc.en))
            return
        # The typed name, phone and ID number leave the screens the moment they are stored.
        self.register.wipe()
        self.review.wipe()
        self.consent.wipe()
        self.welcome.show_member(member)
        self._window.show_screen(Screen.WELCOME)
        self.registered.emit(member)

    def _show_if_known(self, form: RegistrationForm) -> bool:
        """Before the oath: is this person already a member here? The core answers, the privacy rule with it."""
        admission = self._members.admit(form)
        if admission.member is None:
            return False
        self._show_already(admission.member, offer_pass=admission.offer_pass, matched=admission.matched)
        return True

    def _show_already(self, member: MemberSummary, *, offer_pass: bool,
                      matched: tuple[str, ...] = ("id_number", "phone")) -> None:
        self.already.show_member(member, offer_pass=offer_pass, matched=matched)
        self._window.show_screen(Screen.ALREADY_REGISTERED)

    def _forget(self) -> None:
        self._form = None
        self._notice_version = ""


def install_registration(window, members: Membership, presentation: Presentation) -> RegistrationFlow:  # type: ignore[no-untyped-def]
    """Add the joining screens to ``window`` and route them; returns the flow (tests drive it)."""
    return RegistrationFlow(window, members, presentation)
