// The profile's cluster-side expectations (namespaces, skew, allocatable targets, images): a zod fragment with the
// guide's defaults, merged into src/profile/schema.ts as `cluster`.
import { z } from 'zod';

const namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name such as "flask-apps"');
const quantityText = z.string().min(1);
/** A tolerance: an absolute quantity ("0.5Gi", "100m") or a share of the target ("5%"). */
const tolerance = z.string().regex(/^(\d+(\.\d+)?%|[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?)$/, 'a quantity such as "0.5Gi" or a percentage such as "5%"');

export const clusterProfileSchema = z
  .object({
    /** The guide's application namespaces: Pod Security labels, default-deny policies, seccomp references. */
    workloadNamespaces: z.array(namespace).default(['flask-apps', 'django-app', 'fastapi-app']),
    /** Namespaces whose pods may need host access (CNI agents, kube-proxy): exempt from SEC-4.3.6 and RT-2.3.3. */
    systemNamespaces: z.array(namespace).default(['kube-system']),
    /** Pod Security levels that count as enforcing (SEC-4.3.3). */
    podSecurityLevels: z.array(z.enum(['baseline', 'restricted'])).min(1).default(['baseline', 'restricted']),
    /** The Kubernetes minor the node must run (KUBELET-3.1.2), and how far the kubelet may trail the API server. */
    kubernetesMinor: z.string().regex(/^1\.\d+$/, 'a minor version such as "1.31"').default('1.31'),
    kubeletSkewMinors: z.number().int().min(0).max(3).default(3),
    /** Paths a pod must not mount from the host (RT-2.3.3): the runtime socket and what contains it. */
    runtimeSocketPaths: z.array(z.string().startsWith('/')).default(['/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock']),
    allocatable: z
      .object({
        /** ≈14Gi on the guide's 16 GB node; null: judge only against the node's own arithmetic. */
        memory: quantityText.nullable().default('14Gi'),
        memoryTolerance: tolerance.default('0.5Gi'),
        /** 3.3 CPUs on the guide's 4-CPU node; null: judge only against the arithmetic. */
        cpu: quantityText.nullable().default('3300m'),
        cpuTolerance: tolerance.default('0'),
        /** How far status.allocatable may stray from the arithmetic (the kubelet subtracts hugepages, rounds). */
        apiTolerance: tolerance.default('1%'),
      })
      .strict()
      .default({ memory: '14Gi', memoryTolerance: '0.5Gi', cpu: '3300m', cpuTolerance: '0', apiTolerance: '1%' }),
    /** The kubelet's root directory: its filesystem is the ephemeral-storage capacity (nodefs). */
    kubeletRootDir: z.string().startsWith('/').default('/var/lib/kubelet'),
    cilium: z
      .object({
        namespace: namespace.default('kube-system'),
        agentSelector: z.string().min(1).default('k8s-app=cilium'),
        relaySelector: z.string().min(1).default('k8s-app=hubble-relay'),
      })
      .strict()
      .default({ namespace: 'kube-system', agentSelector: 'k8s-app=cilium', relaySelector: 'k8s-app=hubble-relay' }),
    /** The live checks' images (air-gapped clusters mirror them). */
    images: z
      .object({ web: z.string().min(1).default('nginx:1.25-alpine'), shell: z.string().min(1).default('busybox:1.36'), stress: z.string().min(1).default('polinux/stress:1.0.4') })
      .strict()
      .default({ web: 'nginx:1.25-alpine', shell: 'busybox:1.36', stress: 'polinux/stress:1.0.4' }),
  })
  .strict();

export type ClusterProfile = z.output<typeof clusterProfileSchema>;
export type ClusterProfileInput = z.input<typeof clusterProfileSchema>;

/** The fragment with every default: what a profile without a `cluster:` key means. */
export const defaultClusterProfile = (): ClusterProfile => clusterProfileSchema.parse({});
