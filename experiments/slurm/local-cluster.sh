#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests of `oplora grid --executor slurm`.
#   experiments/slurm/local-cluster.sh start   installs Debian's slurm-wlm when missing, writes a
#                                              config under a temp folder, starts slurmctld then
#                                              slurmd, waits until sinfo shows the node idle and
#                                              prints `export SLURM_CONF=...` for clients
#   experiments/slurm/local-cluster.sh stop    stops both daemons and removes the folder
# Needs root (the daemons run as root with auth/none). The folder is $OPLORA_SLURM_DIR, default
# /tmp/oplora-slurm; ports 16817 (slurmctld) and 16818 (slurmd), not Slurm's defaults.
set -euo pipefail
dir="${OPLORA_SLURM_DIR:-/tmp/oplora-slurm}"
# A distinctive name, so that daemons of an earlier test cluster (another folder) can be found and stopped.
conf="$dir/oplora-test-slurm.conf"

start() {
  if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm > "${TMPDIR:-/tmp}/oplora-slurm-apt.log" 2>&1 \
      || { apt-get update -q > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm \
           > "${TMPDIR:-/tmp}/oplora-slurm-apt.log" 2>&1; }
  fi
  stop_daemons
  pkill -f 'oplora-test-slurm.conf' 2>/dev/null || true   # daemons of an earlier test cluster hold the ports
  sleep 1
  mkdir -p "$dir/state" "$dir/spool"
  local host cpus memory
  host="$(hostname -s)"
  cpus="$(nproc)"
  memory="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))"
  cat > "$conf" <<CONF
ClusterName=oplora
SlurmctldHost=$host
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"
  slurmctld -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -q '^idle'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 1
  done
  echo "local-cluster: the node did not become idle; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  return 1
}

stop_daemons() {
  for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    if [ -f "$pid" ]; then
      kill "$(cat "$pid")" 2>/dev/null || true
    fi
  done
  sleep 1
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons; rm -rf "$dir" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
