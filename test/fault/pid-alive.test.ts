// How .ci/cluster/lib.sh tells a component's process from a dead one, on real processes: up.sh
// starts a component only when pid_alive says its recorded process is dead, and then waits for it
// to be gone (wait_gone). The apiserver test kills the apiserver and runs up.sh at once: a process
// killed a moment ago, or a zombie, must count as dead, and must be waited for until every thread
// of it has exited, or up.sh either keeps the dying process or starts one that cannot bind its port.
// No cluster needed: the scripts' cluster directory is a temporary one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const lib = path.resolve(import.meta.dirname, '../../.ci/cluster/lib.sh');
const freezer = '/sys/fs/cgroup/freezer';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-pid-alive-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` with lib.sh's functions; returns the `key=value` lines it printed. */
function withLib(script: string): Record<string, string> {
  const result = spawnSync(
    'bash',
    [
      '-c',
      `set -euo pipefail; . "${lib}"; mkdir -p "$RUN"; alive() { pid_alive "$1" && echo alive || echo dead; }\n${script}`,
    ],
    { env: { ...process.env, SWITCHBENCH_CLUSTER_DIR: dir }, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0)
    throw new Error(`the script failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return Object.fromEntries(
    result.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

test('a running component is alive; its PID in another program is not, and is not waited for', () => {
  const out = withLib(`
    sleep 60 & pid=$!
    echo "$pid" >"$RUN/sleep.pid"
    echo "running=$(alive sleep)"
    echo "$$" >"$RUN/sleep.pid"
    echo "reused=$(alive sleep)"
    # Returning at all is the point: the PID's process (this shell) outlives wait_gone, so a wait for
    # it to go would only end at the script's timeout.
    wait_gone sleep; echo "returned=yes"
    kill "$pid"`);
  expect(out).toEqual({ running: 'alive', reused: 'dead', returned: 'yes' });
});

test('a zombie (exited, its parent has not reaped it) is dead and gone: nothing to wait for', () => {
  const out = withLib(`
    perl -e '$| = 1; my $child = fork // die; exec "sleep", "0" unless $child; print "$child\\n"; sleep 60' >"$RUN/child" &
    parent=$!
    until [[ -s $RUN/child ]]; do sleep 0.05; done
    pid=$(<"$RUN/child")
    until proc_stat "$pid" && [[ $STAT_STATE == Z ]]; do sleep 0.05; done
    echo "$pid" >"$RUN/sleep.pid"
    echo "zombie=$(alive sleep)"
    echo "gone=$(proc_gone "$pid" && echo yes || echo no)"
    # The zombie stays until its parent (sleeping 60 s) reaps it: wait_gone returns while it is still there.
    wait_gone sleep; echo "after=$(proc_stat "$pid" && echo "$STAT_STATE")"
    kill "$parent"`);
  expect(out).toEqual({ zombie: 'dead', gone: 'yes', after: 'Z' });
});

// A frozen process cannot act on a SIGKILL: it stays as a busy machine's killed apiserver is until it
// is scheduled, its /proc/<pid>/exe still readable (what pid_alive read, and so kept it), for as long
// as the test keeps it frozen.
(existsSync(`${freezer}/cgroup.procs`) ? test : test.skip)(
  'a process sent SIGKILL that has not run since is dead at once, and waited for until it is gone',
  () => {
    const out = withLib(`
      cg=${freezer}/switchbench-pid-alive-$$
      mkdir "$cg"
      trap 'echo THAWED >"$cg/freezer.state"; for i in {1..50}; do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done' EXIT
      sleep 60 & pid=$!
      echo "$pid" >"$cg/cgroup.procs"
      echo "$pid" >"$RUN/sleep.pid"
      echo FROZEN >"$cg/freezer.state"
      until [[ $(<"$cg/freezer.state") == FROZEN ]]; do sleep 0.05; done
      kill -KILL "$pid"
      echo "exe=$(basename "$(readlink "/proc/$pid/exe")")"
      echo "killed=$(alive sleep)"
      (sleep 1; echo THAWED >"$cg/freezer.state") &
      start=$(date +%s%N); wait_gone sleep; echo "waited_ms=$((($(date +%s%N) - start) / 1000000))"
      echo "gone=$(proc_gone "$pid" && echo yes || echo no)"`);
    expect(out).toMatchObject({ exe: 'sleep', killed: 'dead', gone: 'yes' });
    expect(Number(out.waited_ms)).toBeGreaterThanOrEqual(900);
  },
);

// As the apiserver was seen a moment after its SIGKILL: its main thread a zombie, another thread still
// exiting, and the files (its listening socket among them) held until the last thread is done.
(spawnSync('gcc', ['--version']).status === 0 ? test : test.skip)(
  "a process whose main thread has exited while another runs is dead, and waited for until that thread's end",
  () => {
    const out = withLib(`
      cat >"$CLUSTER_DIR/holdout.c" <<'EOF'
#include <pthread.h>
#include <unistd.h>
static void *linger(void *arg) { usleep(1500000); return arg; }
int main(void) { pthread_t t; pthread_create(&t, 0, linger, 0); pthread_exit(0); }
EOF
      gcc -pthread -o "$CLUSTER_DIR/holdout" "$CLUSTER_DIR/holdout.c"
      "$CLUSTER_DIR/holdout" & pid=$!
      echo "$pid" >"$RUN/holdout.pid"
      until proc_stat "$pid" && [[ $STAT_STATE == Z ]]; do sleep 0.02; done
      echo "leader=$STAT_STATE"
      echo "dead=$(alive holdout)"
      echo "gone_then=$(proc_gone "$pid" && echo yes || echo no)"
      start=$(date +%s%N); wait_gone holdout; echo "waited_ms=$((($(date +%s%N) - start) / 1000000))"
      echo "gone=$(proc_gone "$pid" && echo yes || echo no)"`);
    expect(out).toMatchObject({ leader: 'Z', dead: 'dead', gone_then: 'no', gone: 'yes' });
    expect(Number(out.waited_ms)).toBeGreaterThanOrEqual(500);
  },
);
