// The guide's kubelet settings, apart from the rest of the built-in profile: the schema takes them as its defaults.
/** The guide's kubelet settings; the schema also takes them as defaults, so a partial kubelet override stays valid. */
export const kubeletDefaults = {
  protectKernelDefaults: true,
  readOnlyPort: 0,
  eventRecordQPS: 5,
  authorizationMode: 'Webhook',
  heldPackages: ['kubelet', 'kubeadm', 'kubectl'],
  hardeningDropIn: '/etc/systemd/system/kubelet.service.d/20-hardening.conf',
  systemReserved: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' },
  kubeReserved: { cpu: '200m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
  evictionHard: { 'memory.available': '500Mi', 'nodefs.available': '10%', 'imagefs.available': '15%' },
  evictionSoft: { 'memory.available': '1Gi', 'nodefs.available': '15%' },
  evictionSoftGracePeriod: { 'memory.available': '1m30s', 'nodefs.available': '2m' },
  maxPods: 110,
  // CIS 4.2.12's strong suites: ECDHE key exchange with AEAD ciphers only.
  tlsCipherSuites: [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  ],
  unitFileMode: '0600',
  kubeconfigMode: '0600',
  clientCAFileMode: '0644',
  configFileMode: '0600',
  kubeProxyKubeconfigs: ['/var/lib/kube-proxy/kubeconfig.conf', '/etc/kubernetes/proxy.conf', '/etc/kubernetes/kube-proxy.conf'],
  legacyReadOnlyPort: 10255,
};
