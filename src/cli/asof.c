/*
 * asof.c - the log entry an export is made as of: a seal's, a given
 * entry's, or the last.
 */
#include <stdlib.h>

#include "sortes/seal.h"
#include "sortes/sign.h"
#include "cli.h"

int
cli_as_of(struct sortes_trial *t, const char *seal_path, const char *pubkey,
    const char *at, struct sortes_seal *seal, int64_t *entry,
    struct sortes_error *err)
{
	struct sortes_signer *pub = NULL;
	char *end;
	int rc = 0;

	if (seal_path == NULL && at == NULL) {
		rc = sortes_seal_head(t, seal, err);
		*entry = seal->entries;
		return rc;
	}
	if (seal_path == NULL) {
		*entry = strtoll(at, &end, 10);
		if (*end != '\0' || *entry < 1)
			return sortes_error_set(err, SORTES_EUSAGE, "--at '%s' is "
			    "not an entry number", at);
		return sortes_seal_point(t, *entry, seal, err);
	}
	if (pubkey != NULL)
		rc = sortes_signer_load_public(&pub, pubkey, err);
	if (rc == 0)
		rc = sortes_seal_read(seal, seal_path, err);
	if (rc == 0)
		rc = sortes_seal_check(t, seal, pub, err);
	sortes_signer_free(pub);
	*entry = seal->entries;
	return rc;
}
