import { z } from "zod";
import { text } from "./common";

export const LoginInput = z.strictObject({
  username: text().min(1).max(150),
  password: text().min(1).max(256),
});

export const RefreshInput = z.strictObject({ refresh: text().min(1).max(512) });

export const TokenPair = z
  .object({
    access: z.string(),
    refresh: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.int().meta({ description: "seconds until the access token expires" }),
  })
  .meta({ id: "TokenPair" });
export type TokenPair = z.infer<typeof TokenPair>;
