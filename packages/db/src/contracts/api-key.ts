import { z } from "zod";
import { dateInput, Id, IsoDateTime, text } from "./common";
import { ApiKeyScope } from "./enums";
import { listQuery, pageOf } from "./page";

export const ApiKey = z
  .object({
    id: Id,
    name: z.string(),
    userId: Id,
    prefix: z
      .string()
      .meta({ description: "the secret's first characters: what identifies the key to people" }),
    scopes: z.array(ApiKeyScope).meta({ description: "empty: everything the user's role allows" }),
    expiresAt: IsoDateTime.nullable(),
    lastUsedAt: IsoDateTime.nullable().meta({ description: "kept to the minute" }),
    revokedAt: IsoDateTime.nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyWithSecret = ApiKey.extend({
  secret: z.string().meta({ description: "tm_…: shown this once; send it as Authorization: Bearer tm_…" }),
}).meta({ id: "ApiKeyWithSecret" });
export type ApiKeyWithSecret = z.infer<typeof ApiKeyWithSecret>;

export const ApiKeyPage = pageOf(ApiKey).meta({ id: "ApiKeyPage" });

export const ApiKeyCreateInput = z.strictObject({
  name: text().trim().min(1).max(100),
  userId: Id.optional().meta({ description: "whose key (ADMIN for another user's); default yourself" }),
  scopes: z
    .array(ApiKeyScope)
    .max(ApiKeyScope.options.length)
    .refine((s) => new Set(s).size === s.length, "names a scope twice")
    .default([]),
  expiresAt: dateInput("endOfDay")
    .nullable()
    .optional()
    .refine((d) => !d || d.getTime() > Date.now(), "must be in the future"),
});
export type ApiKeyCreateInput = z.infer<typeof ApiKeyCreateInput>;

export const ApiKeyListQuery = listQuery({
  userId: Id.optional().meta({ description: "whose keys (ADMIN for another user's); default yours" }),
});
export type ApiKeyListQuery = z.infer<typeof ApiKeyListQuery>;
