"""progress-pty.py - the terminal side of tests/cli/t0038-progress.sh.

  run RAW COLUMNS CMD...  run CMD with its standard error on a
                          pseudo-terminal COLUMNS wide (standard input
                          and output as given), save all it writes there
                          in the file RAW, exit with CMD's status
  screen RAW              what a terminal shows after RAW: a carriage
                          return goes back to the start of the line,
                          later characters overwrite, a line's trailing
                          blanks and the blank lines at the end are
                          dropped
  drawn RAW               each text RAW drew between carriage returns,
                          one a line, blank ones left out
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios


def run(raw, columns, argv):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack('HHHH', 24, int(columns), 0, 0))
    child = subprocess.Popen(argv, stderr=slave)
    os.close(slave)
    data = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:		# EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        data += chunk
    status = child.wait()
    with open(raw, 'wb') as f:
        f.write(data)
    return status if status >= 0 else 128 - status


def text(raw):
    with open(raw, 'rb') as f:
        return f.read().decode('utf-8', 'replace')


def screen(raw):
    lines, col = [[]], 0
    for ch in text(raw):
        if ch == '\r':
            col = 0
        elif ch == '\n':
            lines.append([])
            col = 0
        else:
            line = lines[-1]
            line.extend(' ' * (col - len(line)))
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    shown = [''.join(line).rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    for line in shown:
        print(line)


def drawn(raw):
    for part in text(raw).replace('\n', '\r').split('\r'):
        if part.strip():
            print(part.rstrip())


def main(argv):
    if len(argv) > 3 and argv[1] == 'run':
        return run(argv[2], argv[3], argv[4:])
    if len(argv) == 3 and argv[1] == 'screen':
        screen(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == 'drawn':
        drawn(argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


sys.exit(main(sys.argv))
