// Boot of the sandbox's simulated Concur expense form.
import './sim-expense-list.ts';
