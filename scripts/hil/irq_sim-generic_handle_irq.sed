# Linux 6.1's kernel/irq/irq_sim.c calls handle_simple_irq(irq_to_desc(irqnum)), but irq_to_desc()
# is not exported to modules in 6.1. generic_handle_irq() (exported) looks the descriptor up and
# runs its flow handler, which irq_sim_domain_map() set to handle_simple_irq; later kernels
# (6.2+) make the same change. Used by scripts/hil/prepare to build gpio-sim.ko out of tree.
s/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/
