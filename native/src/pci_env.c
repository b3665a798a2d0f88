#include "pci_env.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

/* The SR-IOV device plugin names the variable PCIDEVICE_<resource>, upper case, with '/' and '.' as
 * '_' but '-' kept: a resource name the API allows (example.com/sriov-vf) yields a '-' in it. */
bool pci_env_name_valid(const char *name)
{
	if (!*name || isdigit((unsigned char)*name) || strlen(name) > 128)
		return false;
	for (const char *p = name; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* dddd:bb:dd.f in hex, function 0-7: the form device plugins and sysfs use. */
static bool pci_addr_valid(const char *s, size_t len)
{
	static const char shape[] = "xxxx:xx:xx.f";

	if (len != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		char want = shape[i], got = s[i];
		if (want == 'x' ? !isxdigit((unsigned char)got) : want == 'f' ? (got < '0' || got > '7') : got != want)
			return false;
	}
	return true;
}

bool pci_list_parse(const char *list, struct pci_list *out, char *bad, int bad_size)
{
	out->n = 0;
	for (const char *p = list;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!pci_addr_valid(p, len) || out->n == PCI_ENV_MAX) {
			snprintf(bad, (size_t)bad_size, "%.*s", (int)(len > 24 ? 24 : len), p);
			return false;
		}
		memcpy(out->addr[out->n], p, len);
		out->addr[out->n++][len] = '\0';
		if (!end)
			return true;
		p = end + 1;
	}
}

void pci_env_read(const char *var, struct pci_list *out)
{
	const char *list = getenv(var);
	char bad[PCI_ADDR_SIZE * 2];

	if (!list || !*list)
		sb_fail(SB_EXIT_PORT, "--pci-from-env %s: the variable is not set, so this pod was given no device: "
				      "does it request the device plugin's resource?", var);
	if (!pci_list_parse(list, out, bad, sizeof(bad)))
		sb_fail(SB_EXIT_PORT, "--pci-from-env %s: \"%s\" is not a PCI address (dddd:bb:dd.f), or more than %d",
			var, bad, PCI_ENV_MAX);
}
