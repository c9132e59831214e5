import { endTrackedProcesses } from "@taskmgr/db/testing";
import { afterAll } from "vitest";

// vitest setupFiles: whatever a test file's processes were doing when it ended (a failure, a timeout), none
// outlives the file.
afterAll(() => endTrackedProcesses());
