import { z } from "zod";
import { boolParam, Id, IsoDateTime, text } from "./common";
import { Role, UserKind } from "./enums";
import { listQuery, pageOf } from "./page";

/**
 * Taken in NFKC, the form it is stored and shown in: a fullwidth ａｄｍｉｎ or a mathematical 𝐚𝐝𝐦𝐢𝐧 is admin. Some
 * letters are invisible (the Hangul fillers U+3164, U+FFA0): a name may not hold them.
 */
export const Username = z
  .string()
  .overwrite((name) => name.normalize("NFKC"))
  .min(3)
  .max(150)
  .regex(/^[\p{L}\p{N}_.@+-]+$/u, "use letters, digits and _ . @ + - only")
  .refine((name) => !/\p{Default_Ignorable_Code_Point}/u.test(name), "must not contain invisible characters");
export const Password = text().min(8).max(256);
export const Email = z.email().max(254);

export const User = z
  .object({
    id: Id,
    username: z.string(),
    email: z.string().nullable(),
    role: Role,
    isActive: z.boolean(),
    kind: UserKind,
    createdAt: IsoDateTime,
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

export const UserPage = pageOf(User).meta({ id: "UserPage" });

export const UserCreateInput = z
  .strictObject({
    username: Username,
    password: Password.optional().meta({ description: "required for a PERSON; a SERVICE account has none" }),
    role: Role.default("INTERN"),
    email: Email.nullable().optional(),
    kind: UserKind.default("PERSON").meta({
      description: "PERSON logs in with a password; SERVICE uses API keys only. Set at creation.",
    }),
  })
  .superRefine((input, ctx) => {
    if (input.kind === "PERSON" && input.password === undefined) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "required for a person" });
    }
    if (input.kind === "SERVICE" && input.password !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["password"],
        message: "a service account has no password: it uses API keys",
      });
    }
  });
export type UserCreateInput = z.infer<typeof UserCreateInput>;

export const UserUpdateBody = z.strictObject({
  role: Role.optional(),
  isActive: z.boolean().optional(),
  email: Email.nullable().optional(),
  password: Password.optional(),
  currentPassword: text().max(256).optional(),
});
export const UserUpdateInput = UserUpdateBody.extend({ id: Id });
export type UserUpdateInput = z.infer<typeof UserUpdateInput>;

export const UserListQuery = listQuery({
  role: Role.optional(),
  isActive: boolParam.optional(),
  search: text().max(150).optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;
