import type { TaskStatus } from "@taskmgr/sdk";

/** The one-click step of a task's status: Start, Complete, or Reopen. */
export function nextStatus(status: TaskStatus): {
  to: "PENDING" | "IN_PROGRESS" | "COMPLETED";
  action: string;
} {
  switch (status) {
    case "PENDING":
      return { to: "IN_PROGRESS", action: "Start" };
    case "COMPLETED":
      return { to: "PENDING", action: "Reopen" };
    default:
      return { to: "COMPLETED", action: "Complete" };
  }
}

export const STATUS_COLORS: Record<TaskStatus, string> = {
  PENDING: "gray.8",
  IN_PROGRESS: "blue.9",
  COMPLETED: "teal.9",
  OVERDUE: "red.9",
};

export const PRIORITY_COLORS = { LOW: "gray.8", MEDIUM: "blue.9", HIGH: "red.9" } as const;
