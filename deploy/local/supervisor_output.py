"""supervisord event listener: every process's output on one stream, each line prefixed.

supervisord (deploy/local/supervisord.conf) sends each chunk a process writes as a PROCESS_LOG
event; this prints its lines as `HH:MM:SS name | line` on stderr, which supervisord writes to its
own stdout (the terminal of `make up`). Speaks supervisor's listener protocol (childutils) on
stdin/stdout; the payload's `len` counts characters of UTF-8 text, so stdin is read as UTF-8.
"""

from __future__ import annotations

import sys
import time

from supervisor import childutils

WIDTH = 16  # the longest process name (koseki_simulator)


def main() -> None:
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
    sys.stderr.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        if headers["eventname"].startswith("PROCESS_LOG"):
            about, data = childutils.eventdata(payload)
            stamp = time.strftime("%H:%M:%S")
            name = about["processname"].ljust(WIDTH)
            sys.stderr.write("".join(f"{stamp} {name} | {line}\n" for line in data.splitlines()))
            sys.stderr.flush()
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
