// One shape for every way of reaching a node, so the gatherer never knows which it has.

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface ExecOptions {
  /** Sent to the remote command's standard input. */
  readonly stdin?: string;
  readonly timeoutMs: number;
}

export interface Target {
  /** How the user named it: "local", "ssh://user@host:22". */
  readonly label: string;
  /** Runs one command line through the node's /bin/sh; one call is one round trip. */
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  /** Exec round trips so far. */
  readonly roundTrips: number;
  close(): Promise<void>;
}
