// What the probe reads of the node's capacity, as the kubelet (cAdvisor) measures it: MemTotal and hugepages from
// /proc/meminfo, the online CPUs, the size of the kubelet root directory's filesystem (nodefs).
import type { CommandRequest, FileRequest } from './requirements.ts';

export const capacityPaths = { meminfo: '/proc/meminfo', cpuOnline: '/sys/devices/system/cpu/online' } as const;
export const capacityCmd = { rootfs: 'kubelet-rootfs-statfs' } as const;

/** What the probe must read so allocatable can be computed with no cluster at all (RES-6.1.x). */
export function nodeCapacityRequests(kubeletRootDir: string): (FileRequest | CommandRequest)[] {
  return [
    { kind: 'file', path: capacityPaths.meminfo },
    { kind: 'file', path: capacityPaths.cpuOnline },
    // Fundamental block size and total blocks: statfs's f_frsize × f_blocks, what cAdvisor reports as capacity.
    { kind: 'command', name: capacityCmd.rootfs, argv: ['stat', '-f', '-c', '%S %b', kubeletRootDir] },
  ];
}
