export type { AppRouter } from "./router.generated";
