import { afterAll } from "vitest";
import { endTrackedProcesses } from "../../src/testing/processes";

// vitest setupFiles: whatever a test file's processes were doing when it ended (a failure, a timeout), none
// outlives the file.
afterAll(() => endTrackedProcesses());
