import { Anchor, NavLink, type NavLinkProps } from "@mantine/core";
import { createLink } from "@tanstack/react-router";
import { type AnchorHTMLAttributes, forwardRef } from "react";

/** Typed router links drawn as Mantine's anchors and navigation links. */
export const RouterAnchor = createLink(Anchor);

const NavAnchor = forwardRef<HTMLAnchorElement, NavLinkProps & AnchorHTMLAttributes<HTMLAnchorElement>>(
  (props, ref) => <NavLink component="a" ref={ref} {...props} />,
);
export const RouterNavLink = createLink(NavAnchor);
