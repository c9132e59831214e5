import {
  type CSSVariablesResolver,
  createTheme,
  Modal,
  MultiSelect,
  Notification,
  Select,
} from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";

const clear = { clearButtonProps: { "aria-label": "Clear" } };

/**
 * Mantine's defaults, made to pass WCAG AA (the browser tests run axe on every page): white on the primary
 * colour's shade 6 is 3.55:1, so shade 8; dimmed text, placeholders and error text are darkened
 * (`cssVariables`); clear and close buttons, icons only by default, are named.
 */
export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: 8,
  components: {
    Select: Select.extend({ defaultProps: clear }),
    MultiSelect: MultiSelect.extend({ defaultProps: clear }),
    DatePickerInput: DatePickerInput.extend({ defaultProps: clear }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close" } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } } }),
  },
});

/** Gray 6 and 5 (dimmed text, placeholders) and red 6 (errors) are below 4.5:1 on white. */
export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: {},
});
