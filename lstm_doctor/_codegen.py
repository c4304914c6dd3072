r"""User-controlled text in generated Python code (the proposed training script).

Anything the user controls (a target column named ``C:\Users\sales``, a file path, a
name holding three double quotes) enters generated code only through one of these
functions, so that the script compiles and means what it says whatever the names are:

* :func:`py_literal` - a value as a Python literal (``repr``): for assignments;
* :func:`docstring_text` - text inside a triple-quoted docstring (a non-raw string);
* :func:`comment_text` - text inside a ``#`` comment (one line).

:func:`register_filters` makes them jinja2 filters (``pyrepr``, ``pydoc``, ``pycomment``)
and :func:`check_compiles` is the test a generated script must pass.
"""

from __future__ import annotations

from typing import Any

#: The characters kept as they are in a docstring (besides printable ones).
_KEPT = {"\n", "\t"}


def py_literal(value: Any) -> str:
    """``repr(value)``: a Python literal that evaluates back to ``value``.

    Parameters
    ----------
    value : str, int, float, bool, None, or a list/tuple/dict of them
        A plain value.

    Returns
    -------
    str
    """
    return repr(value)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def docstring_text(value: Any) -> str:
    r"""Text that reads the same inside a triple-quoted docstring (a non-raw string literal).

    Backslashes are doubled (``C:\Users`` would be a unicode escape), every double quote
    is escaped (a name cannot close the docstring), and control characters other than
    newline and tab, and lone surrogates, become escapes. Evaluating the docstring gives
    ``str(value)`` back exactly.

    Parameters
    ----------
    value : Any
        The text (``str()`` of it).

    Returns
    -------
    str
    """
    out = []
    for ch in str(value):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch in _KEPT:
            out.append(ch)
        elif not ch.isprintable() or "\ud800" <= ch <= "\udfff":
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    return "".join(out)


def comment_text(value: Any) -> str:
    """Text on one ``#`` comment line: line breaks and control characters become spaces.

    Parameters
    ----------
    value : Any
        The text (``str()`` of it).

    Returns
    -------
    str
    """
    out = []
    for ch in str(value):
        if "\ud800" <= ch <= "\udfff":
            out.append(_escape_char(ch))
        elif not ch.isprintable():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def register_filters(env: Any) -> Any:
    """Add the filters ``pyrepr``, ``pydoc`` and ``pycomment`` to a jinja2 Environment.

    Parameters
    ----------
    env : jinja2.Environment
        The environment that renders the script template.

    Returns
    -------
    jinja2.Environment
        ``env`` itself.
    """
    env.filters["pyrepr"] = py_literal
    env.filters["pydoc"] = docstring_text
    env.filters["pycomment"] = comment_text
    return env


def check_compiles(source: str, name: str = "<generated>") -> None:
    r"""Raise when ``source`` is not clean Python.

    A syntax error, a null byte or an unencodable character (``SyntaxError``,
    ``ValueError``), and also what compiles today with a warning: an invalid escape
    sequence such as ``"\U"`` or ``"\ "`` (``SyntaxWarning``/``DeprecationWarning``
    raised as errors).

    Parameters
    ----------
    source : str
        The generated code.
    name : str
        The file name shown in the error.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        warnings.simplefilter("error", DeprecationWarning)
        compile(source, name, "exec", dont_inherit=True)


__all__ = ["check_compiles", "comment_text", "docstring_text", "py_literal",
           "register_filters"]
