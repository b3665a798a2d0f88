/* The PCI devices a pod was given, read from the environment variable a device plugin sets (the
 * SR-IOV network device plugin: PCIDEVICE_<RESOURCE>=0000:3b:02.1,0000:3b:02.2). They become EAL's
 * allow list, since a device's address is known only inside the container. */
#ifndef SB_PCI_ENV_H
#define SB_PCI_ENV_H

#include <stdbool.h>

#define PCI_ENV_MAX 8
/* "dddd:bb:dd.f" and its NUL. */
#define PCI_ADDR_SIZE 13

struct pci_list {
	int n;
	char addr[PCI_ENV_MAX][PCI_ADDR_SIZE];
};

/* Whether name can be an environment variable's name (the flag's own check). */
bool pci_env_name_valid(const char *name);
/* Parses a comma-separated list of full PCI addresses into out; false, with the offending part in
 * bad (of size PCI_ADDR_SIZE * 2), when an element is not one or there are more than PCI_ENV_MAX. */
bool pci_list_parse(const char *list, struct pci_list *out, char *bad, int bad_size);
/* Reads and parses variable var, or exits SB_EXIT_PORT saying why the pod has no usable device. */
void pci_env_read(const char *var, struct pci_list *out);

#endif
