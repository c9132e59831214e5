// The overdue sweep lands with the worker issue.
export {};
