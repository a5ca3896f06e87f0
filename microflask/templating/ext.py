"""Template extensions (Jinja's ``jinja2.ext``).

``do`` and ``loopcontrols`` are part of the language here, so their
extension classes only exist to be named in ``Environment(extensions=...)``.
``i18n`` switches on ``{% trans %}`` and adds Jinja's gettext installers to
the environment.  Custom extensions (new tag parsers) are not supported
and are refused with a clear error.
"""

from __future__ import annotations

import typing as t

__all__ = [
    "Extension",
    "ExprStmtExtension",
    "LoopControlExtension",
    "InternationalizationExtension",
    "do",
    "loopcontrols",
    "i18n",
    "install_i18n",
]


class Extension:
    """Base of the built-in extensions; custom extensions are not supported."""

    tags: t.Set[str] = set()
    priority = 100

    def __init__(self, environment: t.Any) -> None:
        self.environment = environment


class ExprStmtExtension(Extension):
    """``{% do expr %}`` (always available)."""

    tags = {"do"}


class LoopControlExtension(Extension):
    """``{% break %}`` and ``{% continue %}`` (always available)."""

    tags = {"break", "continue"}


class InternationalizationExtension(Extension):
    """``{% trans %}`` blocks and the gettext installers (see :func:`install_i18n`)."""

    tags = {"trans"}


def _newstyle_gettext(func: t.Callable[[str], str]) -> t.Callable[..., str]:
    """gettext that formats its own variables and respects autoescaping."""
    from microflask.templating.utils import pass_context

    @pass_context
    def gettext(__context: t.Any, __string: str, **variables: t.Any) -> str:
        rv = __context.call(func, __string)
        if __context.eval_ctx.autoescape:
            from microflask.markup import Markup

            rv = Markup(rv)
        # Always a format string, even without variables: "%%" means "%".
        return rv % variables  # type: ignore[no-any-return]

    return gettext


def _newstyle_ngettext(func: t.Callable[[str, str, int], str]) -> t.Callable[..., str]:
    from microflask.templating.utils import pass_context

    @pass_context
    def ngettext(
        __context: t.Any, __singular: str, __plural: str, __num: int, **variables: t.Any
    ) -> str:
        variables.setdefault("num", __num)
        rv = __context.call(func, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            from microflask.markup import Markup

            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return ngettext


def _newstyle_pgettext(func: t.Callable[[str, str], str]) -> t.Callable[..., str]:
    from microflask.templating.utils import pass_context

    @pass_context
    def pgettext(__context: t.Any, __string_ctx: str, __string: str, **variables: t.Any) -> str:
        variables.setdefault("context", __string_ctx)
        rv = __context.call(func, __string_ctx, __string)
        if __context.eval_ctx.autoescape:
            from microflask.markup import Markup

            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return pgettext


def _newstyle_npgettext(func: t.Callable[[str, str, str, int], str]) -> t.Callable[..., str]:
    from microflask.templating.utils import pass_context

    @pass_context
    def npgettext(
        __context: t.Any,
        __string_ctx: str,
        __singular: str,
        __plural: str,
        __num: int,
        **variables: t.Any,
    ) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        rv = __context.call(func, __string_ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            from microflask.markup import Markup

            rv = Markup(rv)
        return rv % variables  # type: ignore[no-any-return]

    return npgettext


def _gettext_alias(__context: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """``_()`` in templates: whatever ``gettext`` is installed."""
    return __context.call(__context.resolve("gettext"), *args, **kwargs)


_gettext_alias.jinja_pass_arg = "context"  # type: ignore[attr-defined]


def install_i18n(environment: t.Any) -> None:
    """Give an environment Jinja's i18n API: ``_`` as a global and the
    ``install_gettext_translations`` family of methods."""
    environment.globals["_"] = _gettext_alias

    def install_gettext_callables(
        gettext: t.Callable[..., str],
        ngettext: t.Callable[..., str],
        newstyle: bool | None = None,
        pgettext: t.Callable[..., str] | None = None,
        npgettext: t.Callable[..., str] | None = None,
    ) -> None:
        if newstyle is not None:
            environment.newstyle_gettext = newstyle
        if environment.newstyle_gettext:
            gettext = _newstyle_gettext(gettext)
            ngettext = _newstyle_ngettext(ngettext)
            if pgettext is not None:
                pgettext = _newstyle_pgettext(pgettext)
            if npgettext is not None:
                npgettext = _newstyle_npgettext(npgettext)
        environment.globals.update(
            gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
        )

    def install_gettext_translations(translations: t.Any, newstyle: bool | None = None) -> None:
        gettext = getattr(translations, "ugettext", None) or translations.gettext
        ngettext = getattr(translations, "ungettext", None) or translations.ngettext
        install_gettext_callables(
            gettext,
            ngettext,
            newstyle=newstyle,
            pgettext=getattr(translations, "pgettext", None),
            npgettext=getattr(translations, "npgettext", None),
        )

    def install_null_translations(newstyle: bool | None = None) -> None:
        import gettext as gettext_module

        install_gettext_translations(gettext_module.NullTranslations(), newstyle)

    def uninstall_gettext_translations(translations: t.Any = None) -> None:
        for key in ("gettext", "ngettext", "pgettext", "npgettext"):
            environment.globals.pop(key, None)

    environment.extend(
        newstyle_gettext=False,
        install_gettext_translations=install_gettext_translations,
        install_null_translations=install_null_translations,
        install_gettext_callables=install_gettext_callables,
        uninstall_gettext_translations=uninstall_gettext_translations,
    )


do = ExprStmtExtension
loopcontrols = LoopControlExtension
i18n = InternationalizationExtension
