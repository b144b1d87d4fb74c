/* SPDX-License-Identifier: GPL-2.0 */
/* Private to the SVM backend. */
#ifndef VIREO_SVM_SVM_H
#define VIREO_SVM_SVM_H

#include "../vireo.h"

extern struct vireo_tdp_format vireo_npt_format;
void vireo_npt_setup(void);

#endif /* VIREO_SVM_SVM_H */
