// The workload kinds a fork can copy. Kept apart from the zod schemas (fork.ts) so that the
// command-line definitions can name them without building any schema at start-up.
export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "Rollout"] as const;
