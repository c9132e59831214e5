import { afterAll } from "vitest";
import { endAllWorkers } from "./support";

// vitest setupFiles: whatever a test file's workers were doing when it ended (a failure, a timeout), none
// outlives the file.
afterAll(() => endAllWorkers());
