/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HYDRA_CRIU_H
#define HYDRA_CRIU_H
#endif
