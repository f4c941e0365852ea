#!/usr/bin/env bash
# A walk through the real `batchtui --sandbox` in tmux, as a new on-call user would take it,
# at 120x35 and then at 80x24. Every step's screen is saved with `tmux capture-pane -p` so a
# reviewer reads what the user saw (not a test's idea of it).
#
#   bench/walkthrough.sh [OUT_DIR]        (default: a new directory under /tmp)
#
# Needs tmux (apt-get install -y tmux) and batchtui on PATH (or BATCHTUI=/path/to/batchtui).
# Not part of the pytest suite: it drives a real terminal and waits on the screen, which CI
# cannot promise. It prints the directory of the captures at the end.
set -euo pipefail

OUT=${1:-$(mktemp -d /tmp/batchtui-walkthrough.XXXXXX)}
BATCHTUI=${BATCHTUI:-$(command -v batchtui || true)}
SOCKET=batchtui-walkthrough-$$ # our own tmux server: never the user's sessions
SESSION=walk
# How long a step waits for its text to appear (the sandbox starts in a few seconds).
WAIT_S=${WAIT_S:-30}

if ! command -v tmux >/dev/null; then
    echo "walkthrough: tmux not found (apt-get install -y tmux)" >&2
    exit 2
fi
if [[ -z "$BATCHTUI" ]]; then
    echo "walkthrough: batchtui not found on PATH (activate the venv, or set BATCHTUI)" >&2
    exit 2
fi
mkdir -p "$OUT"

tm() { tmux -L "$SOCKET" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

pane() { tm capture-pane -p -t "$SESSION"; }

# wait_for TEXT: until TEXT is on the screen (or WAIT_S passes: the capture then shows why).
wait_for() {
    local text=$1 i
    for ((i = 0; i < WAIT_S * 10; i++)); do
        if pane | grep -qF -- "$text"; then return 0; fi
        sleep 0.1
    done
    echo "  (waited ${WAIT_S}s for '$text': not seen)" >&2
    return 0
}

# settle: give the app a moment to paint after a key (a TUI has no "done" signal to wait on).
settle() { sleep "${1:-0.6}"; }

keys() { tm send-keys -t "$SESSION" "$@"; }
# type TEXT literally (no key-name lookup: "q" is q, not a tmux key name)
typed() { tm send-keys -t "$SESSION" -l -- "$1"; }

snap() {
    local name=$1 file
    file="$OUT/$SIZE_NAME-$name.txt"
    pane >"$file"
    echo "  $file"
}

walk() {
    local cols=$1 rows=$2
    SIZE_NAME="${cols}x${rows}"
    echo "== $SIZE_NAME"
    tm new-session -d -s "$SESSION" -x "$cols" -y "$rows" "$BATCHTUI --sandbox; echo; echo '[batchtui exited with' \$?']'; sleep 600"
    tm set-option -t "$SESSION" status off >/dev/null

    wait_for "demo-batch-low"
    settle 2
    snap 01-overview

    # A filter that matches a CE's status: the lists narrow to the INVALID CE.
    typed "/"
    settle 0.3
    typed "INVALID"
    settle
    snap 02-filter-invalid
    keys Escape # clears the filter
    settle

    # enter on a queue (:jq puts the cursor in the queue list): its jobs.
    typed ":"
    settle 0.3
    typed "jq"
    keys Enter
    settle
    snap 03-queues-focused
    keys Home # the cursor stayed on the filtered row (demo-legacy): the first queue, demo-main
    settle 0.3
    keys Enter
    wait_for "RUNNING"
    settle 1.5
    snap 04-jobs

    # / filter in the jobs list: the job that waits on the tagging array.
    typed "/"
    settle 0.3
    typed "tag-images-report"
    settle
    snap 05-jobs-filter
    keys Enter
    settle
    snap 06-jobs-filtered

    # d: the job's detail; enter on its dependency.
    typed "d"
    settle 1.5
    snap 07-detail
    keys Enter
    settle 1.5
    snap 08-detail-enter-dependency

    # Logs of a running job, followed: the newest lines must show at once.
    typed ":"
    settle 0.3
    typed "jobs demo-main"
    keys Enter
    wait_for "RUNNING"
    settle 1.5
    typed "/"
    settle 0.3
    typed "stream-processor"
    keys Enter
    settle 1
    typed "l"
    settle 1
    snap 09-logs-follow-at-once
    settle 3
    snap 10-logs-follow-later

    # q closes the log view (back to the jobs), not the app.
    typed "q"
    settle
    snap 11-after-q

    # : completes a queue name with Tab.
    typed ":"
    settle 0.3
    typed "jobs demo-b"
    settle 0.3
    snap 12-command-typed
    keys Tab
    settle 0.5
    snap 13-command-tab
    keys Enter
    wait_for "RUNNABLE"
    settle 1.5
    snap 14-command-enter

    # The command palette: what it lists first, and a queue found by name.
    keys C-p
    settle 1
    snap 15-palette-open
    typed "render"
    settle 1
    snap 16-palette-render
    keys Enter
    settle 2
    snap 17-palette-enter

    # ? : every key of this screen.
    typed "?"
    settle 1
    snap 18-help
    keys PageDown
    settle 0.5
    snap 19-help-page-2
    typed "q"
    settle

    # The plan screen, and a plan run.
    typed ":"
    settle 0.3
    typed "plan"
    keys Enter
    settle 2
    snap 20-plan
    keys Enter
    settle 4
    snap 21-plan-run

    # q back to the overview, then q once more leaves batchtui.
    typed "q"
    settle
    snap 22-plan-q
    typed "q"
    wait_for "[batchtui exited"
    snap 23-overview-q

    tm kill-session -t "$SESSION" 2>/dev/null || true
}

walk 120 35
walk 80 24
echo "walkthrough: captures in $OUT"
