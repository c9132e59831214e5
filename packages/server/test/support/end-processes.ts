import { afterAll } from "vitest";
import { endAllProcesses } from "./process";

// vitest setupFiles: whatever a test file's processes were doing when it ended (a failure, a timeout), none
// outlives the file.
afterAll(() => endAllProcesses());
