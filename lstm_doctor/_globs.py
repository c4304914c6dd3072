"""Path glob patterns as regular expressions (POSIX paths relative to a settings file).

One translator for the ``per-file`` tables of the project settings
(:mod:`lstm_doctor.project_paths`) and the ``exclude`` patterns of ``lstm-doctor scan``
(:mod:`lstm_doctor.scan._files`): ``*`` and ``?`` stay within one directory, ``**/`` is
any number of directories, ``**`` anything.
"""

from __future__ import annotations

import re


def glob_regex(pattern: str, *, classes: bool = False) -> str:
    """The regular expression (unanchored) of a glob ``pattern``.

    Parameters
    ----------
    pattern : str
        The glob, without a leading ``/`` or ``!``.
    classes : bool
        Read ``[abc]`` / ``[!abc]`` as character classes (``.gitignore``); otherwise
        brackets are literal characters.

    Returns
    -------
    str
    """
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif classes and pattern[i] == "[" and pattern.find("]", i + 1) >= 0:
            end = pattern.find("]", i + 1)
            body = pattern[i + 1:end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


__all__ = ["glob_regex"]
