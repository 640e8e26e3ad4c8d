"""Language choice: Chinese unless the user picked English.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show an
English UI to anyone whose browser is set to English. A park's platform speaks Chinese
first; the switch in the header (a cookie) is the only way to English."""

from typing import Any

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: Any) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
