/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc features: the features document (only what works today). */
#include <config.h>
#include "cli.h"

static int
cmd_features (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  _cleanup_free_ char *json = NULL;
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = { { NULL } };

  if (!cli_parse (self, opts, argc, argv, 0, 0, &args, &status))
    return status;
  if (hr_features_json (&json, &err) < 0)
    return cli_fail (&err);
  cli_print_document (json);
  return 0;
}

const struct cli_command cli_cmd_features = {
  .name = "features",
  .summary = "show the enabled features",
  .usage = "",
  .description =
    "   Show the enabled features.\n"
    "   The result is parsable as a JSON (the OCI runtime features document).",
  .run = cmd_features,
};
