// The migrate command of the production image (the compose file's one-shot `migrate` service).
import "@taskmgr/db/migrate-cli";
