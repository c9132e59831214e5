import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Harness, startHarness } from "@taskmgr/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TaskEvent } from "../src";

describe("the SDK's live events", () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let baseUrl: string;

  beforeAll(async () => {
    h = await startHarness({ config: { EVENTS_POLL_MS: "100" } });
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    (server as unknown as { closeAllConnections(): void } | undefined)?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it("client.events.subscribe streams typed events, and resumes after the last one it saw", async () => {
    const client = createClient({ baseUrl });
    await client.login(h.admin.username, h.admin.password);
    const seen: { id: string; data: TaskEvent }[] = [];
    let stop = () => {};
    const started = new Promise<void>((resolve) => {
      const sub = client.events.subscribe.subscribe(
        { type: ["task.created", "task.updated"] },
        {
          onStarted: () => resolve(),
          onData: (item) => seen.push(item),
        },
      );
      stop = () => sub.unsubscribe();
    });
    await started;
    const task = await client.tasks.create.mutate({ title: "seen live" });
    await client.tasks.update.mutate({ id: task.id, priority: "HIGH" });
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
    expect(seen[0]!.data).toMatchObject({
      type: "task.created",
      taskId: task.id,
      task: { title: "seen live" },
    });
    expect(seen[1]!.data.changes).toEqual([{ field: "priority", oldValue: "MEDIUM", newValue: "HIGH" }]);
    expect(seen[0]!.id).toBe(seen[0]!.data.id);
    stop();

    // Missed while away, delivered on return: the tRPC door's lastEventId.
    await client.tasks.create.mutate({ title: "while away" });
    const resumed: TaskEvent[] = [];
    const sub = client.events.subscribe.subscribe(
      { lastEventId: seen[1]!.id },
      { onData: (item) => resumed.push(item.data) },
    );
    await expect.poll(() => resumed.length, { timeout: 10_000 }).toBe(1);
    expect(resumed[0]!.task.title).toBe("while away");
    sub.unsubscribe();
  });
});
