#ifndef INCIDENTD_CSYSTEMD_SHIM_H
#define INCIDENTD_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#endif
