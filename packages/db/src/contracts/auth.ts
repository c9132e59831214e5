import { z } from "zod";

export const LoginInput = z.strictObject({
  username: z.string().min(1).max(150),
  password: z.string().min(1).max(256),
});

export const RefreshInput = z.strictObject({ refresh: z.string().min(1).max(512) });

export const TokenPair = z
  .object({
    access: z.string(),
    refresh: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.int().meta({ description: "seconds until the access token expires" }),
  })
  .meta({ id: "TokenPair" });
export type TokenPair = z.infer<typeof TokenPair>;
