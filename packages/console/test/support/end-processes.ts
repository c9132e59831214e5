import { endTrackedProcesses } from "@taskmgr/db/testing";
import { afterAll } from "vitest";

// vitest setupFiles: the servers and browsers a test file started end with it, even when it failed or timed out.
afterAll(() => endTrackedProcesses());
